package io.canaryjudge.dora;

/**
 * The DORA four of one service or of all, over one window.
 *
 * @param deployments           analyses with a verdict (PROMOTE, ABORT, INCONCLUSIVE) started in the window
 * @param promoted              of which PROMOTE
 * @param failed                of which ABORT or rolled back
 * @param deploymentsPerDay     deployment frequency: promoted per day of the window
 * @param changeFailureRate     failed / deployments, null without deployments
 * @param leadTime              commit to PROMOTE verdict, over promoted deployments whose event had a commitTime
 * @param timeToRestore         per failure: ABORT verdict to applied rollback, else to the service's next PROMOTE
 * @param restoredByRollback    failures restored by an applied rollback
 * @param restoredByRollForward failures without rollback data, restored by the next promoted deployment
 * @param unrestored            failures with neither (yet)
 */
public record DoraFigures(int deployments, int promoted, int failed, double deploymentsPerDay, Double changeFailureRate,
                          DurationStats leadTime, DurationStats timeToRestore, int restoredByRollback,
                          int restoredByRollForward, int unrestored) {
}
