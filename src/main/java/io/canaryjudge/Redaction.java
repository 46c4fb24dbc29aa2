package io.canaryjudge;

import java.util.regex.Pattern;

/**
 * Credentials never leave the process in a URL: {@code https://user:token@host/...} becomes {@code https://***@host/...}
 * wherever a URL can reach a stored reason, a log line, a health check, a verdict or rollback event (git remotes and
 * Prometheus URLs may carry userinfo).
 */
public final class Redaction {
    private static final Pattern USERINFO = Pattern.compile("(?i)\\b([a-z][a-z0-9+.-]*://)[^/\\s@]+@");

    private Redaction() {
    }

    /** The text with the userinfo of every URL in it replaced by {@code ***}; null stays null. */
    public static String urls(String text) {
        return text == null || text.indexOf('@') < 0 ? text : USERINFO.matcher(text).replaceAll("$1***@");
    }
}
