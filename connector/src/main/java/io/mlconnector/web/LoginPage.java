package io.mlconnector.web;

/** The status page's sign-in form, shown at {@code GET /} when {@code admin.token} is set and no session exists. */
final class LoginPage {
    private LoginPage() {
    }

    static String html(boolean refused) {
        return """
                <!DOCTYPE html>
                <html lang="en">
                <head>
                <meta charset="utf-8">
                <meta name="viewport" content="width=device-width, initial-scale=1">
                <title>ml-connector: sign in</title>
                <link rel="icon" href="/status/favicon.svg" type="image/svg+xml">
                <link rel="stylesheet" href="/status/status.css">
                </head>
                <body>
                <main class="login">
                <h1>ml-connector</h1>
                <p>This admin listener has a token (<code>admin.token</code>). Enter it to see the status page; your
                browser keeps a session cookie until it closes.</p>
                %s<form method="post" action="/login">
                <label for="token">Admin token</label>
                <input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
                <button type="submit">Sign in</button>
                </form>
                </main>
                </body>
                </html>
                """.formatted(refused ? "<p class=\"bad\" id=\"login-refused\">That is not the admin token.</p>\n" : "");
    }
}
