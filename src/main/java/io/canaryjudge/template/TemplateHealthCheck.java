package io.canaryjudge.template;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Reports the loaded templates and every rejected file. Rejected edits keep the last good version, so the
 * service stays ready as long as at least one template is loaded.
 */
@Readiness
@ApplicationScoped
public class TemplateHealthCheck implements HealthCheck {
    private final TemplateRepository templates;

    TemplateHealthCheck(TemplateRepository templates) {
        this.templates = templates;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("templates").status(!templates.all().isEmpty())
                .withData("loaded", String.join(",", templates.all().stream().map(AnalysisTemplate::name).toList()))
                .withData("invalid", templates.errors().size());
        for (int i = 0; i < templates.errors().size(); i++) {
            b.withData("error." + i, templates.errors().get(i));
        }
        return b.build();
    }
}
