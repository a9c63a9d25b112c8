package org.protowrap.engine.tls;

import java.nio.file.Path;

/** A certificate or key file that cannot be used, and why, in words for the operator. */
public final class TlsFileException extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient Path file;

    public TlsFileException(Path file, String message) {
        super(file + ": " + message);
        this.file = file;
    }

    public Path file() {
        return file;
    }
}
