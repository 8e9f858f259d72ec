package io.numpywren.lambdapack;

import java.util.HashMap;
import java.util.Map;

/**
 * One token of LAmbdaPACK source, as the {@link Lexer} hands it to the {@link Parser}.
 *
 * @param kind     what sort of token this is
 * @param text     its exact spelling in the source; empty for NEWLINE, INDENT, DEDENT and END_OF_FILE
 * @param position where its first character is
 */
record Token(Token.Kind kind, String text, Ast.Position position) {

    enum Kind {
        NAME(null, "a name"),
        INTEGER(null, "an integer"),
        REAL(null, "a real number"),

        DEF("def"), FOR("for"), IN("in"), RANGE("range"), IF("if"), ELIF("elif"), ELSE("else"),
        AND("and"), OR("or"), NOT("not"), TRUE("True"), FALSE("False"),

        LEFT_PAREN("("), RIGHT_PAREN(")"), LEFT_BRACKET("["), RIGHT_BRACKET("]"),
        COMMA(","), COLON(":"), ASSIGN("="),
        PLUS("+"), MINUS("-"), STAR("*"), SLASH("/"), DOUBLE_SLASH("//"), PERCENT("%"), DOUBLE_STAR("**"),
        LESS("<"), LESS_EQUAL("<="), GREATER(">"), GREATER_EQUAL(">="), EQUAL("=="), NOT_EQUAL("!="),

        NEWLINE(null, "NEWLINE"),
        INDENT(null, "an indented block"),
        DEDENT(null, "DEDENT"),
        END_OF_FILE(null, "end of file");

        private static final Map<String, Kind> KEYWORDS = new HashMap<>();

        static {
            for (Kind kind : values()) {
                if (kind.spelling != null && Character.isLetter(kind.spelling.charAt(0))) {
                    KEYWORDS.put(kind.spelling, kind);
                }
            }
        }

        /** The fixed spelling of a keyword or operator; null for tokens whose text varies or is empty. */
        private final String spelling;
        private final String description;

        Kind(String spelling) {
            this(spelling, "'" + spelling + "'");
        }

        Kind(String spelling, String description) {
            this.spelling = spelling;
            this.description = description;
        }

        /** The keyword spelled {@code word}, or {@link #NAME} when it is not a keyword. */
        static Kind ofWord(String word) {
            return KEYWORDS.getOrDefault(word, NAME);
        }

        String spelling() {
            return spelling;
        }

        /** How an error message names what it expected: {@code ':'}, {@code a name}, {@code NEWLINE}. */
        String describe() {
            return description;
        }
    }

    /** How an error message names what it found: {@code name 'x'}, {@code number 1.5}, {@code ')'}. */
    String describe() {
        return switch (kind) {
            case NAME -> "name '" + text + "'";
            case INTEGER, REAL -> "number " + text;
            case NEWLINE, DEDENT, END_OF_FILE -> kind.describe();
            case INDENT -> "INDENT";
            default -> "'" + text + "'";
        };
    }
}
