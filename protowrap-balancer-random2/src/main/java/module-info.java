/** The {@code random2} balancer: the power of two random choices. Exports nothing. */
module org.protowrap.balancer.random2 {
    requires org.protowrap.api;

    provides org.protowrap.spi.BalancerProvider with org.protowrap.balancer.random2.Random2Provider;
}
