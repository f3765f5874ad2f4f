package io.mlconnector.web;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.mlconnector.freshbooks.WebhookSignature;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;

/** {@code POST /hooks/freshbooks/{callbackToken}}: a thin handler around {@link WebhookIntake}; other methods get 405. */
public final class WebhookRoutes implements RouteModule {

    public static final String PATH = "/hooks/freshbooks/{callbackToken}";

    /** How long one webhook request (its body, then its group commit) may take before its connection is closed. */
    public static final Duration REQUEST_DEADLINE = Duration.ofSeconds(20);
    /** Threads writing answers: writing a 204 is short, and the machine has few cores. */
    private static final int ANSWER_THREADS = 2;

    private final WebhookIntake intake;
    private final ScheduledThreadPoolExecutor deadlines;
    /** Writes the answers whose group commit finished; no thread while no request is in flight. */
    private final ThreadPoolExecutor answers;

    public WebhookRoutes(WebhookIntake intake) {
        this.intake = intake;
        this.deadlines = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "webhook-deadlines");
            t.setDaemon(true);
            return t;
        });
        deadlines.setRemoveOnCancelPolicy(true); // one entry per request in flight, not per request in the last 20 s
        deadlines.setKeepAliveTime(1, TimeUnit.MINUTES);
        deadlines.allowCoreThreadTimeOut(true); // no thread while no request is in flight, so nothing to shut down
        this.answers = new ThreadPoolExecutor(ANSWER_THREADS, ANSWER_THREADS, 1, TimeUnit.MINUTES,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "webhook-answers");
                    t.setDaemon(true);
                    return t;
                });
        answers.allowCoreThreadTimeOut(true);
    }

    @Override
    public void addRoutes(RoutesConfig routes) {
        routes.before(PATH, ctx -> {
            // Any other method on the webhook path is 405 naming POST (RFC 9110 §15.5.6), whatever the token.
            if (!ctx.method().equals(HandlerType.POST)) {
                ctx.status(405).header("Allow", "POST").contentType("text/plain").result("method_not_allowed");
                ctx.skipRemainingHandlers();
            }
        });
        routes.post(PATH, ctx -> {
            // The data rate alone lets a steady trickle hold a thread for minutes: past the deadline the connection ends.
            ScheduledFuture<?> cutOff = deadlines.schedule(() -> endConnection(ctx), REQUEST_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
            // The body is read here; the answer waits for the group commit without holding a server thread. It is
            // written from another thread than the inbox writer's, which goes on with the next group meanwhile.
            ctx.future(() -> receive(ctx).whenComplete((outcome, failure) -> cutOff.cancel(false))
                    .thenAcceptAsync(outcome -> answer(ctx, outcome), answers));
        });
    }

    /** The intake's outcome; a bug thrown before there is one becomes a failed future, so the deadline is cancelled. */
    private CompletableFuture<WebhookIntake.Outcome> receive(Context ctx) {
        try {
            return intake.receive(ctx.pathParam("callbackToken"), ctx.header("Content-Type"), ctx.bodyInputStream(),
                    ctx.header(WebhookSignature.HEADER));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static void answer(Context ctx, WebhookIntake.Outcome outcome) {
        ctx.status(outcome.status());
        if (outcome.status() == 503) {
            ctx.header("Retry-After", Long.toString(WebhookIntake.RETRY_AFTER.toSeconds()));
        }
        if (outcome.status() != 204) {
            ctx.contentType("text/plain").result(outcome.reason());
        }
    }

    private static void endConnection(Context ctx) {
        ServletContextRequest request = ServletContextRequest.getServletContextRequest(ctx.req());
        if (request != null) {
            request.getConnectionMetaData().getConnection().getEndPoint().close(); // the blocked body read fails
        }
    }
}
