package io.jlivepeer.chain;

/** Root of every error the chain module reports; messages say what happened and what to do about it. */
public class ChainException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ChainException(String message) {
        super(message);
    }

    public ChainException(String message, Throwable cause) {
        super(message, cause);
    }
}
