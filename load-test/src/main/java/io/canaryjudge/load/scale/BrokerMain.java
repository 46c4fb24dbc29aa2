package io.canaryjudge.load.scale;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A single-node KRaft broker as its own process, for scripts (history-and-startup.sh measures the time to ready
 * with it): prints {@code bootstrap=<host:port>} once it serves, then runs until the process is stopped.
 */
public final class BrokerMain {
    private BrokerMain() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("canary-broker");
        try (Broker broker = new Broker(dir)) {
            System.out.println("bootstrap=" + broker.bootstrapServers());
            System.out.flush();
            Thread.currentThread().join();
        }
    }
}
