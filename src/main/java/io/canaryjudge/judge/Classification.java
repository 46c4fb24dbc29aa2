package io.canaryjudge.judge;

/** The judgement of one metric (Kayenta's labels, NodataFailMetric folded into must-have-data). */
public enum Classification {
    PASS, HIGH, LOW, NO_DATA, ERROR
}
