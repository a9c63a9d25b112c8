package org.protowrap.validator.http;

import java.nio.ByteBuffer;
import org.protowrap.api.Decisions;

/** A parser of a unit made of lines, fed by a {@link UnitReader} one complete line at a time. */
interface LineConsumer {

    /** What a line did to the unit. */
    enum Step { MORE, DONE, REFUSED }

    /** How many bytes the current line may have, line end included, under every limit that applies. */
    int lineBudget();

    /** The limit crossed when the current line does not end within {@link #lineBudget()}. */
    HttpRule overBudgetRule();

    /**
     * One complete line {@code src[from, to)}, LF included.
     *
     * @param unitOffset where the line starts within the unit, for rewriting
     */
    Step line(ByteBuffer src, int from, int to, int unitOffset, Decisions out);
}
