package io.numpywren.lambdapack;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.StringJoiner;

/**
 * Splits LAmbdaPACK source into tokens, on demand, following Python's layout rules: the indentation
 * of each logical line becomes INDENT and DEDENT tokens, blank and comment-only lines produce nothing,
 * and line breaks inside parentheses or brackets are ignored. Tokens are produced lazily so that the
 * first error in the source is the one reported, whether the lexer or the parser finds it.
 */
final class Lexer {
    private static final char BYTE_ORDER_MARK = '\uFEFF';

    private final String source;
    private final String text;
    private int offset;
    private int line = 1;
    private int lineStart;

    /** Widths of the enclosing indentation levels, innermost first; the bottom is always 0. */
    private final Deque<Integer> indents = new ArrayDeque<>();
    /** Opening brackets not yet closed, innermost first; while any is open, line breaks are ignored. */
    private final Deque<Token> openBrackets = new ArrayDeque<>();
    private final Deque<Token> pending = new ArrayDeque<>();
    private boolean atLineStart = true;
    private Token endOfFile;

    Lexer(String source, String text) {
        this.source = source;
        this.text = text;
        indents.push(0);
        if (!text.isEmpty() && text.charAt(0) == BYTE_ORDER_MARK) {
            offset = 1;
            lineStart = 1;
        }
    }

    /** The next token; once the text is exhausted, END_OF_FILE again and again. */
    Token next() {
        while (pending.isEmpty()) {
            if (endOfFile != null) {
                return endOfFile;
            }
            if (atLineStart) {
                beginLine();
            } else {
                scanWithinLine();
            }
        }
        return pending.removeFirst();
    }

    /** The innermost bracket opened and not yet closed, or null. */
    Token innermostOpenBracket() {
        return openBrackets.peek();
    }

    // ---- layout ----

    /** Measures the indentation of a new logical line, or skips the line when it holds no code. */
    private void beginLine() {
        Ast.Position firstTab = skipIndentation();
        skipComment();
        if (atEnd()) {
            finish();
            return;
        }
        if (atLineBreak()) {
            consumeLineBreak();
            return;
        }
        if (firstTab != null) {
            throw error(firstTab, "tab character in indentation; indent with spaces only");
        }
        indentTo(offset - lineStart, position());
        atLineStart = false;
    }

    /** Skips leading spaces and tabs, returning where the first tab was (null if none). */
    private Ast.Position skipIndentation() {
        Ast.Position firstTab = null;
        while (!atEnd() && (current() == ' ' || current() == '\t')) {
            if (current() == '\t' && firstTab == null) {
                firstTab = position();
            }
            offset++;
        }
        return firstTab;
    }

    private void indentTo(int width, Ast.Position at) {
        if (width > indents.peek()) {
            indents.push(width);
            emit(Token.Kind.INDENT, "", at);
            return;
        }
        String enclosingLevels = describeIndentLevels();
        while (width < indents.peek()) {
            indents.pop();
            emit(Token.Kind.DEDENT, "", at);
        }
        if (width != indents.peek()) {
            throw error(at, "inconsistent dedent: an indentation of " + width + (width == 1 ? " space" : " spaces")
                    + " matches no enclosing block (enclosing blocks are indented by " + enclosingLevels + " spaces)");
        }
    }

    private String describeIndentLevels() {
        StringJoiner levels = new StringJoiner(", ");
        for (Iterator<Integer> outermostFirst = indents.descendingIterator(); outermostFirst.hasNext(); ) {
            levels.add(outermostFirst.next().toString());
        }
        return levels.toString();
    }

    /** Closes every open block at the end of the text, as Python does. */
    private void finish() {
        Ast.Position end = position();
        while (indents.peek() > 0) {
            indents.pop();
            emit(Token.Kind.DEDENT, "", end);
        }
        endOfFile = new Token(Token.Kind.END_OF_FILE, "", end);
        pending.addLast(endOfFile);
    }

    private void scanWithinLine() {
        skipSpaces();
        Ast.Position lineEnd = position();
        skipComment();
        if (atEnd()) {
            if (!openBrackets.isEmpty()) {
                Token innermost = openBrackets.peek();
                throw error(innermost.position(), "'" + innermost.text() + "' is never closed (reached end of file)");
            }
            endLogicalLine(lineEnd);
        } else if (atLineBreak()) {
            consumeLineBreak();
            if (openBrackets.isEmpty()) {
                endLogicalLine(lineEnd);
            }
        } else {
            scanToken();
        }
    }

    private void endLogicalLine(Ast.Position lineEnd) {
        emit(Token.Kind.NEWLINE, "", lineEnd);
        atLineStart = true;
    }

    /** Between tokens a tab is plain white space; only indentation must be made of spaces. */
    private void skipSpaces() {
        while (!atEnd() && (current() == ' ' || current() == '\t')) {
            offset++;
        }
    }

    private void skipComment() {
        if (!atEnd() && current() == '#') {
            while (!atEnd() && !atLineBreak()) {
                offset++;
            }
        }
    }

    private boolean atLineBreak() {
        return current() == '\n' || current() == '\r';
    }

    /** Consumes {@code \n}, {@code \r\n} or a lone {@code \r}. */
    private void consumeLineBreak() {
        if (current() == '\r' && offset + 1 < text.length() && text.charAt(offset + 1) == '\n') {
            offset++;
        }
        offset++;
        line++;
        lineStart = offset;
    }

    // ---- tokens ----

    private void scanToken() {
        char c = current();
        if (isNameStart(c)) {
            scanWord();
        } else if (isDigit(c) || (c == '.' && isDigit(charAt(offset + 1)))) {
            scanNumber();
        } else {
            scanOperator();
        }
    }

    private void scanWord() {
        Ast.Position start = position();
        int begin = offset;
        while (!atEnd() && isNamePart(current())) {
            offset++;
        }
        String word = text.substring(begin, offset);
        emit(Token.Kind.ofWord(word), word, start);
    }

    /** Integers are digits only; a fraction or an exponent makes a real: {@code 1.5 2. .5 1e-3}. */
    private void scanNumber() {
        Ast.Position start = position();
        int begin = offset;
        boolean real = false;
        skipDigits();
        if (charAt(offset) == '.') {
            real = true;
            offset++;
            skipDigits();
        }
        if (charAt(offset) == 'e' || charAt(offset) == 'E') {
            real = true;
            offset++;
            if (charAt(offset) == '+' || charAt(offset) == '-') {
                offset++;
            }
            if (!isDigit(charAt(offset))) {
                throw error(start, "malformed number '" + text.substring(begin, offset)
                        + "': the exponent needs digits");
            }
            skipDigits();
        }
        if (isNamePart(charAt(offset))) {
            while (isNamePart(charAt(offset))) {
                offset++;
            }
            throw error(start, "malformed number '" + text.substring(begin, offset)
                    + "': a name cannot start with a digit");
        }
        emit(real ? Token.Kind.REAL : Token.Kind.INTEGER, text.substring(begin, offset), start);
    }

    private void skipDigits() {
        while (isDigit(charAt(offset))) {
            offset++;
        }
    }

    private void scanOperator() {
        Ast.Position start = position();
        char c = current();
        char following = charAt(offset + 1);
        Token.Kind kind = switch (c) {
            case '(' -> Token.Kind.LEFT_PAREN;
            case ')' -> Token.Kind.RIGHT_PAREN;
            case '[' -> Token.Kind.LEFT_BRACKET;
            case ']' -> Token.Kind.RIGHT_BRACKET;
            case ',' -> Token.Kind.COMMA;
            case ':' -> Token.Kind.COLON;
            case '+' -> Token.Kind.PLUS;
            case '-' -> Token.Kind.MINUS;
            case '%' -> Token.Kind.PERCENT;
            case '*' -> following == '*' ? Token.Kind.DOUBLE_STAR : Token.Kind.STAR;
            case '/' -> following == '/' ? Token.Kind.DOUBLE_SLASH : Token.Kind.SLASH;
            case '<' -> following == '=' ? Token.Kind.LESS_EQUAL : Token.Kind.LESS;
            case '>' -> following == '=' ? Token.Kind.GREATER_EQUAL : Token.Kind.GREATER;
            case '=' -> following == '=' ? Token.Kind.EQUAL : Token.Kind.ASSIGN;
            case '!' -> following == '=' ? Token.Kind.NOT_EQUAL : null;
            default -> null;
        };
        if (kind == null) {
            throw error(start, "unexpected character " + describeCharacter()
                    + (c == '!' ? "; use 'not' for negation or '!=' for inequality" : ""));
        }
        offset += kind.spelling().length();
        Token token = new Token(kind, kind.spelling(), start);
        trackBrackets(token);
        pending.addLast(token);
    }

    private void trackBrackets(Token token) {
        switch (token.kind()) {
            case LEFT_PAREN, LEFT_BRACKET -> openBrackets.push(token);
            case RIGHT_PAREN, RIGHT_BRACKET -> close(token);
            default -> {
            }
        }
    }

    private void close(Token closer) {
        if (openBrackets.isEmpty()) {
            throw error(closer.position(), "unmatched '" + closer.text() + "'");
        }
        Token opener = openBrackets.peek();
        Token.Kind expectedOpener = closer.kind() == Token.Kind.RIGHT_PAREN
                ? Token.Kind.LEFT_PAREN : Token.Kind.LEFT_BRACKET;
        if (opener.kind() != expectedOpener) {
            throw error(closer.position(), "'" + closer.text() + "' does not match '" + opener.text()
                    + "' opened at line " + opener.position().line() + ", column " + opener.position().column());
        }
        openBrackets.pop();
    }

    private String describeCharacter() {
        int codePoint = text.codePointAt(offset);
        String code = String.format("U+%04X", codePoint);
        int type = Character.getType(codePoint);
        // Controls, spaces and invisible format characters (U+202E reverses the text after it on a
        // terminal) are shown by their code only, never echoed raw.
        if (Character.isISOControl(codePoint) || Character.isWhitespace(codePoint) || Character.isSpaceChar(codePoint)
                || !Character.isDefined(codePoint) || type == Character.FORMAT || type == Character.PRIVATE_USE
                || type == Character.SURROGATE) {
            return code;
        }
        String shown = "'" + new String(Character.toChars(codePoint)) + "'";
        return codePoint < 0x80 ? shown : shown + " (" + code + ")";
    }

    // ---- characters and positions ----

    private boolean atEnd() {
        return offset >= text.length();
    }

    private char current() {
        return text.charAt(offset);
    }

    /** The character at {@code index}, or NUL past the end so that look-ahead needs no bounds checks. */
    private char charAt(int index) {
        return index < text.length() ? text.charAt(index) : '\0';
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isNameStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    }

    private static boolean isNamePart(char c) {
        return isNameStart(c) || isDigit(c);
    }

    private Ast.Position position() {
        return new Ast.Position(source, line, offset - lineStart + 1);
    }

    private void emit(Token.Kind kind, String spelling, Ast.Position at) {
        pending.addLast(new Token(kind, spelling, at));
    }

    private LambdaPackException error(Ast.Position at, String message) {
        return new LambdaPackException(source, at, message);
    }
}
