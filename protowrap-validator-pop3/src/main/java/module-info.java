/** The {@code pop3} validator. Exports nothing. */
module org.protowrap.validator.pop3 {
    requires org.protowrap.api;

    provides org.protowrap.spi.ValidatorProvider with org.protowrap.validator.pop3.Pop3ValidatorProvider;
}
