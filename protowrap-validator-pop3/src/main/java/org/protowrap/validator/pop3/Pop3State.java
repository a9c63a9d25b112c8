package org.protowrap.validator.pop3;

/** The POP3 session states of RFC 1939 section 3, as the server's {@code +OK} responses move them. */
enum Pop3State {
    /** From the greeting until a login succeeds. */
    AUTHORIZATION,
    /** After a successful USER/PASS, APOP or AUTH. */
    TRANSACTION,
    /** After QUIT in TRANSACTION was answered {@code +OK}: the server deletes and closes. */
    UPDATE
}
