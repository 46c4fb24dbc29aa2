package io.canaryjudge;

import io.canaryjudge.template.TemplateRepository;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * Entry point of the packaged jar. Before Quarkus boots it starts warming the template parser on a background
 * thread: the first template parsed pays for loading and initialising the YAML binding and the JSON Schema
 * validator, which otherwise sat on the start-up path (templates are loaded before the service
 * answers). The warm-up overlaps Quarkus' own bootstrap instead; it parses an embedded sample, reads no
 * configuration and changes no state, so the repository still loads and validates the configured templates in
 * full at start.
 */
@QuarkusMain
public final class Main {
    /** Package-private, not private: Quarkus makes the main class a bean and would otherwise need reflection. */
    Main() {
    }

    public static void main(String... args) {
        TemplateRepository.warmUpInBackground();
        Quarkus.run(args);
    }
}
