/** A validator for the Finger protocol (RFC 1288): one query line, then the server's answer. */
module org.example.finger {
    requires org.protowrap.api;

    provides org.protowrap.spi.ValidatorProvider with org.example.finger.FingerValidatorProvider;
}
