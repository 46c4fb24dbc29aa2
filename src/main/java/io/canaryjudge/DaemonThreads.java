package io.canaryjudge;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Daemon threads with names that say what they do, so a thread dump reads and a stuck thread never blocks exit. */
public final class DaemonThreads {

    private DaemonThreads() {
    }

    /** Every thread named {@code name}: for single-thread executors. */
    public static ThreadFactory named(String name) {
        return r -> daemon(r, name);
    }

    /** Threads named {@code prefix-1}, {@code prefix-2}, …: for pools. */
    public static ThreadFactory numbered(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> daemon(r, prefix + "-" + n.incrementAndGet());
    }

    /** Starts {@code task} on a new daemon thread named {@code name}. */
    public static Thread start(String name, Runnable task) {
        Thread t = daemon(task, name);
        t.start();
        return t;
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
