/** The {@code roundrobin} balancer: smooth weighted round-robin. Exports nothing. */
module org.protowrap.balancer.roundrobin {
    requires org.protowrap.api;

    provides org.protowrap.spi.BalancerProvider with org.protowrap.balancer.roundrobin.RoundRobinProvider;
}
