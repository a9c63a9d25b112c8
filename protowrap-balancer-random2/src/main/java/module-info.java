/** The {@code random2} balancer: the power of two random choices. Exports nothing. */
// the policy's own name ends in a digit: javac's advice against terminal digits does not apply
@SuppressWarnings("module")
module org.protowrap.balancer.random2 {
    requires org.protowrap.api;

    provides org.protowrap.spi.BalancerProvider with org.protowrap.balancer.random2.Random2Provider;
}
