package io.canaryjudge.problem;

/**
 * Input a caller can fix — a query parameter, a body member outside the event contract, a selector — named by
 * its field. Thrown by services; the REST layer answers it with a 400 problem naming the field.
 */
public class InvalidInputException extends RuntimeException {
    private final String field;

    public InvalidInputException(String field, String message) {
        super(message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
