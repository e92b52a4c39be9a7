// The few protocol-buffer wire-format fields a ServerDef needs, with proto3's rule that a field at its
// default value (0, false, '') is left out: that is what TensorFlow's own serializer writes, so the bytes
// can be compared with Python's.

const encoder = new TextEncoder();

export class ProtoWriter {
  private readonly bytes: number[] = [];

  private varint(value: number): void {
    // Only non-negative values up to 2^53 occur here (field tags, lengths, indices, milliseconds).
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`not a varint: ${value}`);
    let v = value;
    while (v >= 0x80) {
      this.bytes.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    this.bytes.push(v);
  }

  private tag(field: number, wireType: 0 | 2): void {
    this.varint(field * 8 + wireType);
  }

  /** `always`: written even at 0, as a map entry's key is (protobuf's serializers write both halves). */
  uint(field: number, value: number, always = false): this {
    if (value !== 0 || always) {
      this.tag(field, 0);
      this.varint(value);
    }
    return this;
  }

  bool(field: number, value: boolean): this {
    return this.uint(field, value ? 1 : 0);
  }

  string(field: number, value: string): this {
    if (value !== '') this.lengthDelimited(field, encoder.encode(value));
    return this;
  }

  /** A sub-message is written even when empty: its presence can matter (unlike a scalar's). */
  message(field: number, fill: (w: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    fill(inner);
    this.lengthDelimited(field, inner.finish());
    return this;
  }

  private lengthDelimited(field: number, payload: Uint8Array): void {
    this.tag(field, 2);
    this.varint(payload.length);
    for (const b of payload) this.bytes.push(b);
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}
