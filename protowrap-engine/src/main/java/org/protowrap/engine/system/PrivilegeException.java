package org.protowrap.engine.system;

/** The process could not take on, or refused, the identity it is to serve as. */
public final class PrivilegeException extends Exception {
    private static final long serialVersionUID = 1L;

    public PrivilegeException(String message) {
        super(message);
    }
}
