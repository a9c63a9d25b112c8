/** The {@code sourcehash} balancer: weighted rendezvous hashing on the client address. Exports nothing. */
module org.protowrap.balancer.sourcehash {
    requires org.protowrap.api;

    provides org.protowrap.spi.BalancerProvider with org.protowrap.balancer.sourcehash.SourceHashProvider;
}
