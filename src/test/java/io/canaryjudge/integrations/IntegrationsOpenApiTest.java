package io.canaryjudge.integrations;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;

import io.canaryjudge.testing.RealInfrastructure;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(value = RealInfrastructure.class, restrictToAnnotatedClass = false)
class IntegrationsOpenApiTest {
    @Test
    void openApiDocumentsEveryIntegrationEndpoint() {
        given().queryParam("format", "json").get("/q/openapi").then().statusCode(200)
                .body(containsString("\"/api/v1/argo/verdict\""))
                .body(containsString("\"/canaryConfig\""))
                .body(containsString("\"/canary/{configId}\""))
                .body(containsString("\"/canary/{executionId}\""))
                .body(containsString("\"/api/v1/flagger/gate\""))
                .body(containsString("\"/api/v1/flagger/rollback\""))
                .body(containsString("\"/api/v1/flagger/event\""))
                .body(containsString("FlaggerWebhookPayload"));
    }
}
