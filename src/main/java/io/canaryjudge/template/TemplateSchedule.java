package io.canaryjudge.template;

import java.time.Duration;

/**
 * When a template measures: the interval, the warm-up left out, how many measurements (given as count or as a
 * whole-number duration) and the query resolution, which must not be coarser than the interval.
 */
record TemplateSchedule(Duration interval, Duration initialDelay, int count, Duration step) {
    static final int MAX_COUNT = 1000;

    static TemplateSchedule of(SourceLines at, TemplateFile file) {
        Duration interval = at.duration("/interval", file.interval());
        Duration initialDelay = file.initialDelay() == null ? Duration.ZERO
                : at.duration("/initialDelay", file.initialDelay());
        int count = count(at, file, interval);
        if (count < 1 || count > MAX_COUNT) {
            throw at.error("/count", "between 1 and " + MAX_COUNT + " measurements");
        }
        Duration step = file.step() == null ? interval : at.duration("/step", file.step());
        if (step.compareTo(interval) > 0) {
            throw at.error("/step", "must not exceed interval");
        }
        return new TemplateSchedule(interval, initialDelay, count, step);
    }

    private static int count(SourceLines at, TemplateFile file, Duration interval) {
        if (file.count() != null && file.duration() != null) {
            throw at.error("/duration", "give count or duration, not both");
        }
        if (file.duration() != null) {
            Duration total = at.duration("/duration", file.duration());
            if (total.toMillis() % interval.toMillis() != 0) {
                throw at.error("/duration", "must be a whole number of intervals");
            }
            return (int) (total.toMillis() / interval.toMillis());
        }
        if (file.count() != null) {
            return file.count();
        }
        throw at.error("", "count (or duration): required");
    }
}
