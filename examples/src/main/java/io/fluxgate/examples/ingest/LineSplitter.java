package io.fluxgate.examples.ingest;

import java.io.IOException;
import java.io.InputStream;

/** Splits a byte stream into lines for JSON lines: a line feed ends a line, a carriage return before it is dropped. */
final class LineSplitter extends RecordReader {

    LineSplitter(InputStream in, int maxRecordBytes) {
        super(in, maxRecordBytes);
    }

    /** True when the current line holds nothing but JSON whitespace. */
    boolean blank() {
        for (int i = 0; i < rawLength; i++) {
            byte b = raw[i];
            if (b != ' ' && b != '\t' && b != '\r') {
                return false;
            }
        }
        return true;
    }

    @Override
    boolean next() throws IOException {
        rawLength = 0;
        startLine = lines + 1;
        boolean any = false;
        while (true) {
            if (pos == limit && !fill()) {
                if (!any) {
                    return false;
                }
                break;
            }
            any = true;
            int from = pos;
            while (pos < limit && buf[pos] != '\n') {
                pos++;
            }
            appendRaw(buf, from, pos - from);
            if (pos < limit) {
                pos++;
                lines++;
                break;
            }
        }
        if (rawLength > 0 && raw[rawLength - 1] == '\r') {
            rawLength--;
        }
        return true;
    }
}
