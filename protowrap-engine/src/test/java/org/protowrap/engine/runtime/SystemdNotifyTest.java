package org.protowrap.engine.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Datagrams to a real unix datagram socket, bound by a Python receiver as a service manager binds its own. */
class SystemdNotifyTest {

    /** Binds argv[1] (a path, or @name for an abstract one), says "bound", prints N datagrams, one line each. */
    private static final String RECEIVER = """
            import socket, sys
            s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            name = sys.argv[1]
            s.bind('\\0' + name[1:] if name.startswith('@') else name)
            s.settimeout(20)
            print('bound', flush=True)
            for _ in range(int(sys.argv[2])):
                print(s.recv(4096).decode().replace('\\n', '|'), flush=True)
            """;

    @Test
    void sendsEachStateToAPathSocket(@TempDir Path dir) throws Exception {
        List<String> got = exchange(dir.resolve("notify").toString(), 3, n -> {
            n.ready();
            n.reloading();
            n.stopping();
        });
        assertEquals("READY=1|STATUS=serving", got.get(0));
        assertTrue(got.get(1).startsWith("RELOADING=1|STATUS=reloading|MONOTONIC_USEC="), got.get(1));
        assertEquals("STOPPING=1|STATUS=draining", got.get(2));
    }

    @Test
    void sendsToAnAbstractSocket() throws Exception {
        String name = "@protowrap-notify-test-" + ProcessHandle.current().pid();
        assertEquals(List.of("READY=1|STATUS=serving"), exchange(name, 1, SystemdNotify::ready));
    }

    @Test
    void aSocketNobodyListensOnIsLoggedNotThrown(@TempDir Path dir) {
        new SystemdNotify(Optional.of(dir.resolve("nobody").toString())).ready();
    }

    private static List<String> exchange(String socket, int count, java.util.function.Consumer<SystemdNotify> send)
            throws IOException, InterruptedException {
        Process receiver = new ProcessBuilder("python3", "-c", RECEIVER, socket, Integer.toString(count))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(receiver.getInputStream(),
                StandardCharsets.UTF_8))) {
            assertEquals("bound", out.readLine());
            send.accept(new SystemdNotify(Optional.of(socket)));
            List<String> lines = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                lines.add(out.readLine());
            }
            assertTrue(receiver.waitFor(20, TimeUnit.SECONDS));
            return lines;
        } finally {
            receiver.destroyForcibly();
        }
    }
}
