package io.numpywren.npy;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses the Python literals a .npy header is made of (numpy reads it with
 * {@code ast.literal_eval}): dicts, tuples, lists, strings, integers, True, False and None.
 * Nothing is evaluated; anything else is a syntax error.
 *
 * <p>Results: {@link Map} (insertion-ordered), {@link Tuple}, {@link List}, {@link String},
 * {@link BigInteger}, {@link Boolean}, and {@link #NONE} for None.
 */
final class PythonLiteral {
    /** Python's None (a Java null could not be told apart from a missing key). */
    static final Object NONE = new Object() {
        @Override
        public String toString() {
            return "None";
        }
    };

    /** A Python tuple; kept apart from lists because numpy requires the shape to be a tuple. */
    record Tuple(List<Object> items) {
    }

    /** The text is not a Python literal; the message says where and why. */
    static final class SyntaxException extends Exception {
        SyntaxException(String message) {
            super(message);
        }
    }

    /** A .npy header nests three levels at most; hostile input must not reach the stack's limit. */
    static final int MAX_DEPTH = 32;

    private final String text;
    private int pos;
    private int depth;

    private PythonLiteral(String text) {
        this.text = text;
    }

    /** Parses exactly one literal, allowing whitespace around it. */
    static Object parse(String text) throws SyntaxException {
        PythonLiteral parser = new PythonLiteral(text);
        Object value = parser.value();
        parser.skipWhitespace();
        if (parser.pos != text.length()) {
            throw parser.error("unexpected text after the literal");
        }
        return value;
    }

    /** Writes a parsed value back in Python syntax, for error messages. */
    static String repr(Object value) {
        if (value instanceof String s) {
            return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
        }
        if (value instanceof Boolean b) {
            return b ? "True" : "False";
        }
        if (value instanceof Tuple t) {
            String items = join(t.items());
            return t.items().size() == 1 ? "(" + items + ",)" : "(" + items + ")";
        }
        if (value instanceof List<?> list) {
            return "[" + join(list) + "]";
        }
        if (value instanceof Map<?, ?> map) {
            StringBuilder s = new StringBuilder("{");
            map.forEach((k, v) -> s.append(s.length() > 1 ? ", " : "").append(repr(k)).append(": ").append(repr(v)));
            return s.append('}').toString();
        }
        return String.valueOf(value);
    }

    private static String join(List<?> items) {
        StringBuilder s = new StringBuilder();
        for (Object item : items) {
            s.append(s.length() > 0 ? ", " : "").append(repr(item));
        }
        return s.toString();
    }

    private Object value() throws SyntaxException {
        skipWhitespace();
        if (pos >= text.length()) {
            throw error("unexpected end of text");
        }
        char c = text.charAt(pos);
        if (c != '{' && c != '(' && c != '[') {
            return c == '\'' || c == '"' ? string() : c == '-' || c == '+' || Character.isDigit(c) ? integer() : word();
        }
        if (depth >= MAX_DEPTH) {
            throw error("nested deeper than " + MAX_DEPTH + " levels");
        }
        depth++;
        try {
            return c == '{' ? dict() : c == '(' ? tupleOrParenthesised() : list();
        } finally {
            depth--;
        }
    }

    private Map<Object, Object> dict() throws SyntaxException {
        Map<Object, Object> map = new LinkedHashMap<>();
        pos++; // '{'
        while (true) {
            skipWhitespace();
            if (peek() == '}') {
                pos++;
                return map;
            }
            Object key = value();
            if (key instanceof Map || key instanceof List) {
                throw error("a dict or list cannot be a dictionary key");
            }
            expect(':');
            if (map.put(key, value()) != null) {
                throw error("duplicate key " + key);
            }
            if (!commaOrClose('}')) {
                return map;
            }
        }
    }

    /** "(...)": a tuple, or in Python just the parenthesised value when there is one item and no comma. */
    private Object tupleOrParenthesised() throws SyntaxException {
        List<Object> items = new ArrayList<>();
        boolean trailingComma = items(')', items);
        return items.size() == 1 && !trailingComma ? items.get(0) : new Tuple(items);
    }

    private List<Object> list() throws SyntaxException {
        List<Object> items = new ArrayList<>();
        items(']', items);
        return items;
    }

    /** Reads items up to {@code close} into {@code items}; returns whether the last one had a comma after it. */
    private boolean items(char close, List<Object> items) throws SyntaxException {
        pos++; // the opening bracket
        boolean trailingComma = false;
        while (true) {
            skipWhitespace();
            if (peek() == close) {
                pos++;
                return trailingComma;
            }
            items.add(value());
            trailingComma = commaOrClose(close);
            if (!trailingComma) {
                return false;
            }
        }
    }

    /** After an item: consumes ',' and returns true, or consumes {@code close} and returns false. */
    private boolean commaOrClose(char close) throws SyntaxException {
        skipWhitespace();
        char c = peek();
        if (c == ',') {
            pos++;
            return true;
        }
        if (c == close) {
            pos++;
            return false;
        }
        throw error("expected ',' or '" + close + "'");
    }

    private String string() throws SyntaxException {
        char quote = text.charAt(pos++);
        StringBuilder s = new StringBuilder();
        while (pos < text.length()) {
            char c = text.charAt(pos++);
            if (c == quote) {
                return s.toString();
            }
            if (c == '\n') {
                break;
            }
            if (c == '\\' && pos < text.length()) {
                char e = text.charAt(pos++);
                switch (e) {
                    case 'n' -> s.append('\n');
                    case 't' -> s.append('\t');
                    case 'r' -> s.append('\r');
                    case '\\', '\'', '"' -> s.append(e);
                    default -> s.append('\\').append(e); // Python keeps unknown escapes as written
                }
            } else {
                s.append(c);
            }
        }
        throw error("unterminated string");
    }

    private BigInteger integer() throws SyntaxException {
        int start = pos;
        if (peek() == '-' || peek() == '+') {
            pos++;
        }
        int digits = pos;
        while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
            pos++;
        }
        if (pos == digits) {
            throw error("expected digits");
        }
        BigInteger value = new BigInteger(text.substring(start, pos));
        // Python 2 wrote long integers as "3L"; numpy still reads such headers.
        if (pos < text.length() && (text.charAt(pos) == 'L' || text.charAt(pos) == 'l')) {
            pos++;
        }
        if (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '.')) {
            throw error("only integers are allowed here");
        }
        return value;
    }

    private Object word() throws SyntaxException {
        int start = pos;
        while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_')) {
            pos++;
        }
        String word = text.substring(start, pos);
        return switch (word) {
            case "True" -> Boolean.TRUE;
            case "False" -> Boolean.FALSE;
            case "None" -> NONE;
            default -> {
                pos = start;
                throw error(word.isEmpty() ? "unexpected character '" + text.charAt(pos) + "'"
                        : "'" + word + "' is not a literal");
            }
        };
    }

    private void expect(char c) throws SyntaxException {
        skipWhitespace();
        if (peek() != c) {
            throw error("expected '" + c + "'");
        }
        pos++;
    }

    private char peek() {
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private void skipWhitespace() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
    }

    private SyntaxException error(String what) {
        return new SyntaxException(what + " at character " + pos);
    }
}
