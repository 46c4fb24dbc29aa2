package io.canaryjudge.supplychain;

import io.canaryjudge.supplychain.CosignFixtures.SignatureLayer;
import io.canaryjudge.testing.RegistryServer;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * One image per signature case, pushed to a real registry in cosign's layout: what the policy must tell apart for
 * promotion and for every rollback kind.
 */
public final class SignedCases {

    /** The cases; only SIGNED verifies. */
    public enum Case {
        /** signed by the accepted key */
        SIGNED,
        /** no signature at all */
        UNSIGNED,
        /** signed by a key that is not accepted */
        OTHER_KEY,
        /** the accepted key's signature over a payload edited afterwards */
        TAMPERED,
        /** the accepted key's genuine signature of another digest, copied to this digest's tag */
        WRONG_DIGEST
    }

    private SignedCases() {
    }

    /** Pushes one image per case to {@code repository} (tags {@code <prefix>-<case>}); {@code accepted} signs. */
    public static Map<Case, ImageReference> push(RegistryServer registry, String repository, String prefix,
                                                 KeyPair accepted) throws Exception {
        Map<Case, ImageReference> out = new EnumMap<>(Case.class);
        for (Case c : Case.values()) {
            out.put(c, CosignFixtures.pushImage(registry, repository, prefix + "-" + c.name().toLowerCase()));
        }
        ImageReference signed = out.get(Case.SIGNED);
        CosignFixtures.pushSignatures(registry, signed, List.of(CosignFixtures.signedLayer(signed,
            accepted.getPrivate())));
        ImageReference other = out.get(Case.OTHER_KEY);
        CosignFixtures.pushSignatures(registry, other, List.of(CosignFixtures.signedLayer(other,
            CosignFixtures.p256().getPrivate())));
        ImageReference tampered = out.get(Case.TAMPERED);
        SignatureLayer genuine = CosignFixtures.signedLayer(tampered, accepted.getPrivate());
        // edited after signing, still naming the right digest: the signature no longer holds
        byte[] edited = new String(genuine.payload(), StandardCharsets.UTF_8)
            .replace("canary-judge tests", "canary-judge tampered").getBytes(StandardCharsets.UTF_8);
        CosignFixtures.pushSignatures(registry, tampered, List.of(new SignatureLayer(edited,
            genuine.signatureBase64())));
        CosignFixtures.pushSignatures(registry, out.get(Case.WRONG_DIGEST), List.of(CosignFixtures.signedLayer(signed,
            accepted.getPrivate())));
        return out;
    }
}
