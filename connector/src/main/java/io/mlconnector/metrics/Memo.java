package io.mlconnector.metrics;

import java.util.function.Supplier;

/** A value read at most once per {@code ttl}: a gauge read on every scrape must not run its query each time. */
final class Memo<T> implements Supplier<T> {
    private final Supplier<T> source;
    private final long ttlNanos;
    private T value;
    private long readAt;
    private boolean read;

    Memo(Supplier<T> source, java.time.Duration ttl) {
        this.source = source;
        this.ttlNanos = ttl.toNanos();
    }

    @Override
    public synchronized T get() {
        long now = System.nanoTime();
        if (!read || now - readAt >= ttlNanos) {
            value = source.get();
            readAt = now;
            read = true;
        }
        return value;
    }
}
