/** The {@code smtp} validator. Exports nothing. */
module org.protowrap.validator.smtp {
    requires org.protowrap.api;

    provides org.protowrap.spi.ValidatorProvider with org.protowrap.validator.smtp.SmtpValidatorProvider;
}
