package io.numpywren.npy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PythonLiteralTest {

    @Test
    void parsesNestedLiterals() throws Exception {
        Object value = PythonLiteral.parse("{'a': [('x', '<f8'), ('y', \"<f4\", (2,))], 'b': (), 'c': None, 'd': -3}");

        assertThat(value).isInstanceOf(Map.class);
        Map<?, ?> map = (Map<?, ?>) value;
        assertThat(new ArrayList<Object>(map.keySet())).containsExactly("a", "b", "c", "d");
        assertThat(map.get("a")).isEqualTo(List.of(
                new PythonLiteral.Tuple(List.of("x", "<f8")),
                new PythonLiteral.Tuple(List.of("y", "<f4", new PythonLiteral.Tuple(List.of(BigInteger.TWO))))));
        assertThat(map.get("b")).isEqualTo(new PythonLiteral.Tuple(List.of()));
        assertThat(map.get("c")).isSameAs(PythonLiteral.NONE);
        assertThat(map.get("d")).isEqualTo(BigInteger.valueOf(-3));
    }

    @Test
    void parenthesesWithoutACommaAreNotATuple() throws Exception {
        assertThat(PythonLiteral.parse("(5)")).isEqualTo(BigInteger.valueOf(5));
        assertThat(PythonLiteral.parse("(5,)")).isEqualTo(new PythonLiteral.Tuple(List.of(BigInteger.valueOf(5))));
    }

    @Test
    void stringEscapesAreDecoded() throws Exception {
        assertThat(PythonLiteral.parse("'it\\'s\\\\n'")).isEqualTo("it's\\n");
    }

    @Test
    void reprWritesPythonSyntax() throws Exception {
        String text = "{'descr': [('x', '<f8')], 'fortran_order': True, 'shape': (3,), 'n': None}";

        assertThat(PythonLiteral.repr(PythonLiteral.parse(text))).isEqualTo(text);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "{'a': 1                 | expected ',' or '}' at character 7",
            "{'a' 1}                 | expected ':' at character 5",
            "{'a': 1, 'a': 2}        | duplicate key a at character 15",
            "'open                   | unterminated string at character 5",
            "(1.5, 2)                | only integers are allowed here at character 2",
            "(1, 2) x                | unexpected text after the literal at character 7",
            "{[1]: 2}                | a dict or list cannot be a dictionary key at character 4",
            "true                    | 'true' is not a literal at character 0"})
    void syntaxErrorsSayWhatAndWhere(String text, String message) {
        assertThatThrownBy(() -> PythonLiteral.parse(text)).isInstanceOf(PythonLiteral.SyntaxException.class)
                .hasMessage(message);
    }

    @ParameterizedTest(name = "{0} deep")
    @CsvSource({"(, )", "[, ]", "'{1: ', }"})
    void nestingDeeperThanAHeaderCanNeedIsRefusedWithoutOverflowingTheStack(String open, String close) {
        for (int levels : new int[] {PythonLiteral.MAX_DEPTH + 1, 3_000, 200_000}) {
            String text = open.repeat(levels) + "1" + close.repeat(levels);
            assertThatThrownBy(() -> PythonLiteral.parse(text)).as("%d levels of %s", levels, open)
                    .isInstanceOf(PythonLiteral.SyntaxException.class)
                    .hasMessageContaining("nested deeper than " + PythonLiteral.MAX_DEPTH + " levels");
        }
    }

    @Test
    void nestingAsDeepAsTheLimitStillParses() throws Exception {
        int levels = PythonLiteral.MAX_DEPTH;
        assertThat(PythonLiteral.parse("[".repeat(levels) + "1" + "]".repeat(levels))).isInstanceOf(List.class);
    }
}
