package io.numpywren.storage;

/**
 * Validation of block keys, shared by every store so that none can be made to read or write
 * outside its root.
 *
 * <p>A key is one or more segments joined by '/'. Segments are non-empty, use only
 * {@code A-Z a-z 0-9 . _ - = +}, and are neither "." nor "..". Keys are relative (no leading
 * '/') and at most {@value #MAX_KEY_LENGTH} characters.
 */
public final class BlockKeys {
    public static final int MAX_KEY_LENGTH = 1024;

    private BlockKeys() {
    }

    /** Returns the key when valid, else throws {@link InvalidKeyException} saying why. */
    public static String validate(String key) {
        if (key == null || key.isEmpty()) {
            throw new InvalidKeyException(String.valueOf(key), "key is empty");
        }
        if (key.length() > MAX_KEY_LENGTH) {
            throw new InvalidKeyException(key, "key is longer than " + MAX_KEY_LENGTH + " characters");
        }
        if (key.startsWith("/")) {
            throw new InvalidKeyException(key, "absolute keys are not allowed");
        }
        validateSegments(key, false);
        return key;
    }

    /**
     * Validates a listing prefix: like a key, but it may be empty (everything) and may end in
     * '/' or in a partial segment.
     */
    public static String validatePrefix(String prefix) {
        if (prefix == null) {
            throw new InvalidKeyException("null", "prefix is null");
        }
        if (prefix.isEmpty()) {
            return prefix;
        }
        if (prefix.length() > MAX_KEY_LENGTH) {
            throw new InvalidKeyException(prefix, "prefix is longer than " + MAX_KEY_LENGTH + " characters");
        }
        if (prefix.startsWith("/")) {
            throw new InvalidKeyException(prefix, "absolute prefixes are not allowed");
        }
        validateSegments(prefix, true);
        return prefix;
    }

    /** Validates one path segment (a namespace or matrix name) on its own. */
    public static String validateSegment(String segment, String what) {
        if (segment == null || segment.isEmpty()) {
            throw new InvalidKeyException(String.valueOf(segment), what + " is empty");
        }
        if (segment.contains("/")) {
            throw new InvalidKeyException(segment, what + " must not contain '/'");
        }
        validateSegments(segment, false);
        return segment;
    }

    private static void validateSegments(String key, boolean prefix) {
        int start = 0;
        int n = key.length();
        while (start <= n) {
            int end = key.indexOf('/', start);
            boolean last = end < 0;
            if (last) {
                end = n;
            }
            String segment = key.substring(start, end);
            if (segment.isEmpty() && !(prefix && last)) {
                throw new InvalidKeyException(key, "empty path segment at offset " + start);
            }
            if (segment.equals("..") || (segment.equals(".") && !(prefix && last))) {
                throw new InvalidKeyException(key, "'" + segment + "' segments are not allowed");
            }
            for (int i = 0; i < segment.length(); i++) {
                char c = segment.charAt(i);
                if (!allowed(c)) {
                    throw new InvalidKeyException(key, "character " + describe(c) + " at offset "
                            + (start + i) + " is not allowed (use A-Z a-z 0-9 . _ - = +)");
                }
            }
            if (last) {
                break;
            }
            start = end + 1;
        }
    }

    private static boolean allowed(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '.' || c == '_' || c == '-' || c == '=' || c == '+';
    }

    private static String describe(char c) {
        return c < 32 || c > 126 ? String.format("U+%04X", (int) c) : "'" + c + "'";
    }
}
