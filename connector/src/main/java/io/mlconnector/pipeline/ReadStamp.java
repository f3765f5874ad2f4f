package io.mlconnector.pipeline;

import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * How new one read of a FreshBooks record is: the record's own version (null when it carries none, and
 * for a 404, whose only time would be our clock) and the fetch stamp taken just before the GET
 * ({@link FetchStamps}).
 *
 * <p>The staleness rule, {@link #supersedes}: a read replaces what the ledger applied when FreshBooks'
 * versions say it is newer; when they cannot say (equal, missing, different resolutions, or inside the
 * DST fall-back hour), the read fetched later wins. The stamp is taken before the GET, so a read sent
 * after a change's webhook arrived outranks every read sent before the change, which may have missed
 * it. Versions are trusted only where they order for certain, so a read that saw the latest state is
 * never judged stale: the last read fetched after the last change always ends up applied, and it
 * repairs whatever an unlucky tie did on the way.
 */
public record ReadStamp(SourceVersion version, long fetchStamp) {

    /** The read of {@code record} (empty: FreshBooks answered 404) fetched with {@code fetchStamp}. */
    public static ReadStamp of(String objectType, Optional<JsonNode> record, long fetchStamp) {
        return new ReadStamp(record.map(r -> SourceVersion.of(objectType, r)).orElse(null), fetchStamp);
    }

    /** Whether {@code incoming} replaces {@code applied} (null: nothing applied yet). */
    public static boolean supersedes(ReadStamp incoming, ReadStamp applied) {
        if (applied == null) {
            return true;
        }
        return switch (SourceVersion.compare(incoming.version, applied.version)) {
            case NEWER -> true;
            case OLDER -> false;
            case UNORDERED -> incoming.fetchStamp > applied.fetchStamp;
        };
    }
}
