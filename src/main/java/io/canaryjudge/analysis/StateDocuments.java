package io.canaryjudge.analysis;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import io.canaryjudge.judge.sequential.BatchRankEProcess;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Base64;

/**
 * How the rank e-process's node sums travel in every stored measurement (its state, so a restarted service
 * continues the same process). Written as decimals, the 201 node sums of each rank test were a large share of every
 * measurement document and hundreds of decimal conversions per measurement (BENCHMARKS.md). They are written as
 * {@code "<length>:<first>:<base64 of the big-endian IEEE-754 bits from first to the last non-zero node>"}: bit-exact
 * and smaller, and a one-sided test's other half of zero nodes is not written at all. Documents written before
 * (a JSON array of numbers) read as they always did. {@link SequentialStateCodec}, which writes the stored states,
 * uses {@link #encode} and {@link #decode}; the mix-in does the same wherever else Jackson meets a rank state, and
 * keeps the judge free of Jackson.
 */
@Singleton
public class StateDocuments implements ObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.addMixIn(BatchRankEProcess.class, RankMixIn.class);
    }

    abstract static class RankMixIn {
        @JsonSerialize(using = Writer.class)
        @JsonDeserialize(using = Reader.class)
        abstract double[] ell();
    }

    static String encode(double[] values) {
        int first = 0;
        while (first < values.length && Double.doubleToRawLongBits(values[first]) == 0) {
            first++;
        }
        int last = values.length - 1;
        while (last >= first && Double.doubleToRawLongBits(values[last]) == 0) {
            last--;
        }
        ByteBuffer bits = ByteBuffer.allocate(8 * Math.max(0, last - first + 1));
        for (int i = first; i <= last; i++) {
            bits.putDouble(values[i]);
        }
        return values.length + ":" + first + ":" + Base64.getEncoder().encodeToString(bits.array());
    }

    static double[] decode(String text) {
        String[] parts = text.split(":", 3);
        if (parts.length != 3) {
            throw new IllegalArgumentException("node sums must read <length>:<first>:<base64>, got " + text);
        }
        double[] out = new double[Integer.parseInt(parts[0])];
        ByteBuffer bits = ByteBuffer.wrap(Base64.getDecoder().decode(parts[2]));
        for (int i = Integer.parseInt(parts[1]); bits.hasRemaining(); i++) {
            out[i] = bits.getDouble();
        }
        return out;
    }

    static final class Writer extends JsonSerializer<double[]> {
        @Override
        public void serialize(double[] value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
            gen.writeString(encode(value));
        }
    }

    static final class Reader extends JsonDeserializer<double[]> {
        @Override
        public double[] deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken() == JsonToken.VALUE_STRING) {
                try {
                    return decode(p.getText());
                } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
                    return (double[]) ctxt.handleWeirdStringValue(double[].class, p.getText(), e.getMessage());
                }
            }
            return ctxt.readValue(p, double[].class); // a document written before: an array of numbers
        }
    }
}
