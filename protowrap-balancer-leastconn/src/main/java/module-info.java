/** The {@code leastconn} balancer: fewest active connections relative to weight. Exports nothing. */
module org.protowrap.balancer.leastconn {
    requires org.protowrap.api;

    provides org.protowrap.spi.BalancerProvider with org.protowrap.balancer.leastconn.LeastConnProvider;
}
