package io.canaryjudge;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/**
 * Numbers in and out of JSON with Jackson's fast double writer (Schubfach: the shortest decimal that reads back as
 * the same double) and parser. Every measurement stores its e-processes' node sums — hundreds of doubles — so
 * formatting doubles is a hot path under load (profile in BENCHMARKS.md). The written numbers read back bit for bit.
 */
@Singleton
public class JsonSettings implements ObjectMapperCustomizer {
    @Override
    public void customize(ObjectMapper mapper) {
        mapper.getFactory().enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER.mappedFeature());
        mapper.getFactory().enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER.mappedFeature());
    }
}
