package io.fluxgate.window;

import io.fluxgate.window.internal.SketchAccess;
import java.util.Objects;
import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.hll.TgtHllType;
import org.apache.datasketches.hll.Union;
import org.apache.datasketches.memory.Memory;

/**
 * An immutable, mergeable HyperLogLog sketch of the users of a window (approximate mode), wrapping Apache
 * DataSketches' {@code HllSketch} so that DataSketches types stay out of Fluxgate's API.
 *
 * <p>Sketches of the same window from several partitions or instances merge losslessly into the sketch of the
 * union ({@link #merge(UniqueSketch)}); they travel as bytes ({@link #toByteArray()} / {@link #fromByteArray(byte[])}).
 * The relative standard error is about {@code 1.04 / sqrt(2^lgK)} (lgK 12: 1.6%). User ids are hashed with the
 * same 64-bit hash as the exact mode before they enter the sketch, so sketches built by different Fluxgate
 * instances of the same version over the same ids agree (a version that changes the hash says so in its notes;
 * its sketches must not be merged with older ones).
 *
 * <p>A window's sketch is counted with a byte per register (DataSketches' HLL_8, the cheapest update) and kept so
 * here; {@link #toByteArray()} writes the compact HLL_4 image (half a byte per register) that sketches have always
 * been written as, so images stay compatible both ways. Estimates and bounds do not depend on the register width.
 */
public final class UniqueSketch {

    static {
        SketchAccess.install(UniqueSketch::new);
    }

    /** Never changed after construction: a copy of a window's sketch, a heapified image or a union's result. */
    private final HllSketch sketch;

    private UniqueSketch(HllSketch sketch) {
        this.sketch = sketch;
    }

    /**
     * An empty sketch with the given lgK (4..21).
     *
     * @param lgK log2 of the number of registers, 4 to 21
     * @return an empty sketch
     * @throws IllegalArgumentException if {@code lgK} is outside 4..21
     */
    public static UniqueSketch empty(int lgK) {
        return new UniqueSketch(new HllSketch(lgK, TgtHllType.HLL_4));
    }

    /**
     * Reads a sketch written by {@link #toByteArray()}.
     *
     * @param bytes a sketch image
     * @return the sketch
     * @throws IllegalArgumentException if the bytes are not a valid HLL sketch image
     */
    public static UniqueSketch fromByteArray(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        try {
            return new UniqueSketch(HllSketch.heapify(Memory.wrap(bytes)));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a serialized UniqueSketch (" + bytes.length + " bytes): " + e, e);
        }
    }

    /** {@return the estimated number of distinct users} */
    public double estimate() {
        return sketch.getEstimate();
    }

    /**
     * Upper bound of the estimate at {@code numStdDev} (1, 2 or 3) standard deviations.
     *
     * @param numStdDev 1, 2 or 3
     * @return the upper bound; at least the estimate
     */
    public double upperBound(int numStdDev) {
        return sketch.getUpperBound(numStdDev);
    }

    /**
     * Lower bound of the estimate at {@code numStdDev} (1, 2 or 3) standard deviations.
     *
     * @param numStdDev 1, 2 or 3
     * @return the lower bound; at most the estimate, at least the number of users seen
     */
    public double lowerBound(int numStdDev) {
        return sketch.getLowerBound(numStdDev);
    }

    /** {@return log2 of the sketch's number of registers, 4 to 21: its accuracy} */
    public int lgK() {
        return sketch.getLgConfigK();
    }

    /**
     * The sketch of the union of both user sets; neither input changes. lgK is the smaller of the two.
     *
     * @param other another sketch, of any lgK
     * @return a new sketch of the union
     */
    public UniqueSketch merge(UniqueSketch other) {
        Objects.requireNonNull(other, "other");
        Union u = new Union(Math.max(lgK(), other.lgK()));
        u.update(sketch);
        u.update(other.sketch);
        return new UniqueSketch(u.getResult(TgtHllType.HLL_4));
    }

    /**
     * A compact serialized image in DataSketches' HLL_4 layout, readable by {@link #fromByteArray(byte[])} (and by
     * DataSketches' {@code HllSketch.heapify}).
     *
     * @return the serialized sketch, a fresh array
     */
    public byte[] toByteArray() {
        // converted here rather than when the window closes: most results are never serialized
        return sketch.getTgtHllType() == TgtHllType.HLL_4
                ? sketch.toCompactByteArray() : sketch.copyAs(TgtHllType.HLL_4).toCompactByteArray();
    }

    @Override
    public String toString() {
        return "UniqueSketch{lgK=" + lgK() + ", estimate=" + Math.round(estimate()) + "}";
    }
}
