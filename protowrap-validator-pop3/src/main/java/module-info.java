/** The {@code pop3} validator. Exports nothing. */
// the protocol's own name ends in a digit: javac's advice against terminal digits does not apply
@SuppressWarnings("module")
module org.protowrap.validator.pop3 {
    requires org.protowrap.api;

    provides org.protowrap.spi.ValidatorProvider with org.protowrap.validator.pop3.Pop3ValidatorProvider;
}
