package io.mlconnector.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlconnector.freshbooks.ObjectType;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class SweepSchedulerTest {

    @ParameterizedTest(name = "watermark {0} - {1} -> updated_min {2}")
    @CsvSource({
            "2026-03-02T15:00:00Z, P1D, 2026-03-01",   // 10:00 EST the day before
            "2026-03-02T04:30:00Z, P1D, 2026-02-28",   // 23:30 EST on Feb 28: UTC's date would be a day late
            "2026-03-09T03:30:00Z, PT0S, 2026-03-08",  // DST starts 8 March 2026: 23:30 EDT is still the 8th
            "2026-11-01T05:30:00Z, PT0S, 2026-11-01",  // DST ends 1 November 2026: 00:30 EST is the 1st
            "2026-07-01T03:59:59Z, PT0S, 2026-06-30",  // EDT: UTC-4
            "2026-07-01T04:00:00Z, PT0S, 2026-07-01",
    })
    void updatedMinIsTheEasternDayOfWatermarkMinusOverlap(Instant watermark, Duration overlap, LocalDate expected) {
        assertThat(SweepScheduler.updatedMin(watermark, overlap)).isEqualTo(expected);
    }

    @Test
    void onlyTypesWithAnUpdatedFilterAreSweptIncrementally() {
        assertThat(ObjectType.values()).filteredOn(ObjectType::updatedFilter)
                .containsExactly(ObjectType.INVOICE, ObjectType.PAYMENT, ObjectType.EXPENSE, ObjectType.CLIENT);
    }
}
