/// dsprep's version, recorded in every report and manifest it writes.
public let dsprepVersion = "0.1.0"
