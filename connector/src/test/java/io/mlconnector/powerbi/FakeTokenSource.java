package io.mlconnector.powerbi;

import java.util.concurrent.atomic.AtomicInteger;

/** Hands out t1, t2, … : a new token after each invalidate(). */
final class FakeTokenSource implements PowerBiTokenSource {

    final AtomicInteger generation = new AtomicInteger(1);
    final AtomicInteger invalidations = new AtomicInteger();

    @Override
    public String accessToken() {
        return "t" + generation.get();
    }

    @Override
    public void invalidate() {
        invalidations.incrementAndGet();
        generation.incrementAndGet();
    }
}
