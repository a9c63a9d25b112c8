/**
 * The ProtoWrap plugin API.
 *
 * <p>{@code org.protowrap.spi} holds the two provider interfaces that plugin jars implement and
 * declare with {@code provides}, and the {@code Provider} shape they share; {@code org.protowrap.api} holds the types those providers use.
 * The module has no dependencies, so a plugin builds against this jar alone.
 */
module org.protowrap.api {
    exports org.protowrap.api;
    exports org.protowrap.spi;
}
