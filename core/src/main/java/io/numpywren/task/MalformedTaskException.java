package io.numpywren.task;

/** A task spec or result that cannot be accepted: bad JSON, wrong version, keys out of namespace. */
public class MalformedTaskException extends IllegalArgumentException {
    public MalformedTaskException(String message) {
        super(message);
    }
}
