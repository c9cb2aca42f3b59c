package io.jedge.sdk.vision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RankingTest {
    // two rows of four classes: [0.1, 0.9, 0.9, 0.0] and [NaN, 1, 2, 3]
    static final float[] ROWS = {0.1f, 0.9f, 0.9f, 0.0f, Float.NaN, 1, 2, 3};

    @Test
    void topOneIsTheFirstMaximumAndTopKCountsTiesByIndex() {
        assertEquals(1, Ranking.argmax(ROWS, 0, 4));
        assertTrue(Ranking.inTopK(ROWS, 0, 4, 1, 1));
        assertFalse(Ranking.inTopK(ROWS, 0, 4, 2, 1), "a tie ranks after the lower index, as argmax picks");
        assertTrue(Ranking.inTopK(ROWS, 0, 4, 2, 2));
        assertFalse(Ranking.inTopK(ROWS, 0, 4, 3, 3));
        assertTrue(Ranking.inTopK(ROWS, 0, 4, 3, 4));
    }

    @Test
    void aRowWithNanRanksNothing() {
        assertEquals(-1, Ranking.argmax(ROWS, 4, 4));
        assertFalse(Ranking.inTopK(ROWS, 4, 4, 3, 4));
        assertFalse(Ranking.sameTop1(ROWS, ROWS, 4, 4), "NaN agrees with nothing, not even itself");
        assertTrue(Ranking.sameTop1(ROWS, new float[] {0, 5, 1, 1}, 0, 4));
        assertFalse(Ranking.sameTop1(ROWS, new float[] {0, 1, 5, 1}, 0, 4));
    }

    @Test
    void refusesLabelsAndRowsOutsideTheScores() {
        assertEquals("label 4 is outside the model's 4 classes",
                assertThrows(IllegalArgumentException.class, () -> Ranking.inTopK(ROWS, 0, 4, 4, 1)).getMessage());
        assertEquals("row [6, 6 + 4) of 8 scores, expected a non-empty row inside them",
                assertThrows(IllegalArgumentException.class, () -> Ranking.argmax(ROWS, 6, 4)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Ranking.inTopK(ROWS, 0, 4, 0, 0));
    }
}
