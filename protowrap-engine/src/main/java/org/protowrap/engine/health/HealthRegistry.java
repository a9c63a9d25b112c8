package org.protowrap.engine.health;

import java.util.Collection;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The health of every backend, by wrapper name and backend name ({@code host:port}), kept
 * across reloads: a wrapper that a reload replaces keeps the state of the backends it still has,
 * so a backend that was down stays down (and one that was up is not checked from scratch).
 * Entries of backends a reload removed are forgotten, so one added back later starts afresh.
 */
public final class HealthRegistry {

    /** Which backend of which wrapper. */
    public record Key(String wrapper, String backend) {}

    private final ConcurrentHashMap<Key, BackendHealth> entries = new ConcurrentHashMap<>();

    /** The backend's health, made UP if it has none yet; counted with {@code policy} from now on. */
    public BackendHealth of(String wrapper, String backend, HealthPolicy policy) {
        BackendHealth health = entries.computeIfAbsent(new Key(wrapper, backend),
                key -> new BackendHealth(wrapper, backend, policy));
        health.adopt(policy);
        return health;
    }

    /** The backend's health, if it is known. */
    public Optional<BackendHealth> find(String wrapper, String backend) {
        return Optional.ofNullable(entries.get(new Key(wrapper, backend)));
    }

    /** Forgets every backend not in {@code keep}. */
    public void retainOnly(Collection<Key> keep) {
        Set<Key> kept = keep.stream().collect(Collectors.toSet());
        entries.keySet().retainAll(kept);
    }
}
