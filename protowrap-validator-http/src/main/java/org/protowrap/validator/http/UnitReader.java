package org.protowrap.validator.http;

import java.nio.ByteBuffer;
import org.protowrap.api.Decisions;

/**
 * Splits one unit into lines for a {@link LineConsumer}, wherever the reads were split. A unit
 * that lies within one read is parsed in place; one that spans reads is copied whole into a
 * {@link UnitBuffer} and parsed there, so that a line is always contiguous.
 *
 * <p>A line that has not ended within its budget is refused as soon as the budget is exceeded,
 * never held beyond it: the held copy is bounded by the consumer's limits.
 */
final class UnitReader {

    /** Where feeding left the unit. */
    enum Status { NEED_MORE, DONE, REFUSED }

    private final UnitBuffer held = new UnitBuffer();
    private int unitLength;
    private int lineLength;
    private int unitStart;
    private int end;
    private boolean spans;
    private HttpRule overBudget = HttpRule.LIMIT_FIELD_LINE;
    private boolean overBudgetHit;

    /** Feeds {@code data[pos, limit)} to the unit, which starts at {@code pos} unless it is held. */
    Status feed(ByteBuffer data, int pos, int limit, LineConsumer consumer, Decisions out) {
        spans = held.length() > 0;
        unitStart = pos;
        overBudgetHit = false;
        int p = pos;
        while (true) {
            int room = Math.max(0, consumer.lineBudget() - lineLength);
            int window = (int) Math.min(limit, (long) p + room);
            int lf = HttpGrammar.indexOfLf(data, p, window);
            if (lf < 0) {
                if (window < limit) {
                    overBudget = consumer.overBudgetRule();
                    overBudgetHit = true;
                    end = p;
                    return Status.REFUSED;
                }
                hold(data, p, limit);
                end = limit;
                return Status.NEED_MORE;
            }
            int lineEnd = lf + 1;
            int lineOffset = unitLength - lineLength;
            LineConsumer.Step step;
            if (spans) {
                held.append(data, p, lineEnd);
                step = consumer.line(held.view(), lineOffset, held.length(), lineOffset, out);
            } else {
                step = consumer.line(data, p, lineEnd, lineOffset, out);
            }
            unitLength += lineEnd - p;
            lineLength = 0;
            p = lineEnd;
            if (step != LineConsumer.Step.MORE) {
                end = p;
                return step == LineConsumer.Step.DONE ? Status.DONE : Status.REFUSED;
            }
        }
    }

    private void hold(ByteBuffer data, int p, int limit) {
        held.append(data, spans ? p : unitStart, limit);
        lineLength += limit - p;
        unitLength += limit - p;
    }

    /** After {@link Status#DONE}: whether the unit is in {@link #heldUnit()} rather than in the read. */
    boolean isHeld() {
        return spans;
    }

    /** The held unit, at {@code [0, unitLength())}. */
    ByteBuffer heldUnit() {
        return held.view();
    }

    /** Where the unit (or the part of it in this read, when held) starts in the last read. */
    int unitStart() {
        return unitStart;
    }

    /** Where feeding stopped in the last read. */
    int end() {
        return end;
    }

    int unitLength() {
        return unitLength;
    }

    /** Whether the last refusal was a line over its budget, and which limit it crossed. */
    boolean refusedOverBudget() {
        return overBudgetHit;
    }

    HttpRule overBudgetRule() {
        return overBudget;
    }

    /** Starts the next unit, keeping the buffer for it. */
    void nextUnit() {
        unitLength = 0;
        lineLength = 0;
        spans = false;
        held.clear();
    }

    /** Starts the next unit and gives the buffer's memory back. */
    void nextUnitReleasing() {
        unitLength = 0;
        lineLength = 0;
        spans = false;
        held.release();
    }

    /** Bytes of memory held, for tests. */
    int retainedBytes() {
        return held.capacity();
    }
}
