package io.mlconnector.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class JitWarmUpTest {

    @Test
    void readsTheCompiledCountFromJstat() {
        String out = """
                Compiled Failed Invalid   Time   FailedType FailedMethod
                   20093      4       0    89.03          1 org/h2/mvstore/Cursor hasNext
                """;
        assertThat(JitWarmUp.parseCompiled(out)).hasValue(20093);
    }

    @Test
    void aProcessJstatCannotReadGivesNoCount() {
        assertThat(JitWarmUp.parseCompiled("12345 not found\n")).isEmpty();
        assertThat(JitWarmUp.parseCompiled("")).isEmpty();
    }

    @Test
    void thisJvmHasCompiledSomething() {
        assertThat(JitWarmUp.compiled(ProcessHandle.current().pid()).orElse(-1)).isPositive();
    }

    @Test
    void saysWhenTheJitHadNotSettled() {
        assertThat(new JitWarmUp.Warm(Duration.ofSeconds(35), true).describe()).isEqualTo("35 s");
        assertThat(new JitWarmUp.Warm(Duration.ofSeconds(120), false).describe()).isEqualTo("120 s, JIT still compiling");
    }
}
