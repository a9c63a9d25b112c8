/** The {@code http} validator. Exports nothing. */
module org.protowrap.validator.http {
    requires org.protowrap.api;

    provides org.protowrap.spi.ValidatorProvider with org.protowrap.validator.http.HttpValidatorProvider;
}
