package embed

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
)

// maxHeaderBytes is the largest safetensors header accepted, far above the
// few hundred bytes per tensor that real headers use.
const maxHeaderBytes = 100 << 20

// tensorInfo is one tensor entry of a safetensors header.
type tensorInfo struct {
	DType       string   `json:"dtype"`
	Shape       []int64  `json:"shape"`
	DataOffsets [2]int64 `json:"data_offsets"`
}

// safetensors is a parsed safetensors file: an 8-byte little-endian header
// length, a JSON header that maps tensor names to dtype, shape and byte
// offsets, then the tensor data, with offsets relative to its start.
type safetensors struct {
	tensors map[string]tensorInfo
	data    []byte
}

// parseSafetensors parses the header of raw and checks that every tensor
// lies within the data. It does not copy the data.
func parseSafetensors(raw []byte) (*safetensors, error) {
	if len(raw) < 8 {
		return nil, fmt.Errorf("file is %d bytes, too short for a safetensors header", len(raw))
	}
	n := binary.LittleEndian.Uint64(raw[:8])
	if n > maxHeaderBytes || n > uint64(len(raw)-8) {
		return nil, fmt.Errorf("header length %d is invalid for a file of %d bytes", n, len(raw))
	}
	header := raw[8 : 8+n]
	var entries map[string]json.RawMessage
	if err := json.Unmarshal(header, &entries); err != nil {
		return nil, fmt.Errorf("header is not a JSON object: %w", err)
	}
	st := &safetensors{tensors: make(map[string]tensorInfo), data: raw[8+n:]}
	for name, entry := range entries {
		if name == "__metadata__" {
			continue
		}
		var info tensorInfo
		if err := json.Unmarshal(entry, &info); err != nil {
			return nil, fmt.Errorf("header entry for tensor %q is invalid: %w", name, err)
		}
		if err := st.checkTensor(name, info); err != nil {
			return nil, err
		}
		st.tensors[name] = info
	}
	return st, nil
}

// checkTensor checks that info's offsets lie within the data and match its
// shape for the dtypes that can be converted.
func (st *safetensors) checkTensor(name string, info tensorInfo) error {
	begin, end := info.DataOffsets[0], info.DataOffsets[1]
	if begin < 0 || end < begin || end > int64(len(st.data)) {
		return fmt.Errorf("tensor %q has data offsets [%d, %d] outside the %d bytes of data", name, begin, end, len(st.data))
	}
	size := dtypeSize(info.DType)
	if size == 0 {
		return nil // checked when the tensor is used
	}
	count := int64(1)
	for _, d := range info.Shape {
		if d < 0 || (d > 0 && count > math.MaxInt64/d) {
			return fmt.Errorf("tensor %q has an invalid shape %v", name, info.Shape)
		}
		count *= d
	}
	if count > (end-begin)/size || count*size != end-begin {
		return fmt.Errorf("tensor %q of shape %v and dtype %s needs %d bytes, but its data offsets span %d",
			name, info.Shape, info.DType, count*size, end-begin)
	}
	return nil
}

// dtypeSize returns the bytes per value of the dtypes that can be converted
// to float32, or 0 for others.
func dtypeSize(dtype string) int64 {
	switch dtype {
	case "F64":
		return 8
	case "F32":
		return 4
	case "F16", "BF16":
		return 2
	}
	return 0
}

// names returns the tensor names in sorted order.
func (st *safetensors) names() []string {
	names := make([]string, 0, len(st.tensors))
	for name := range st.tensors {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// matrix returns the 2-D tensor name as row-major float32 values, converting
// F64, F16 and BF16.
func (st *safetensors) matrix(name string) (values []float32, rows, cols int, err error) {
	info, ok := st.tensors[name]
	if !ok {
		return nil, 0, 0, fmt.Errorf("tensor %q not found; the file has %s", name, strings.Join(st.names(), ", "))
	}
	if len(info.Shape) != 2 || info.Shape[0] == 0 || info.Shape[1] == 0 {
		return nil, 0, 0, fmt.Errorf("tensor %q has shape %v; want [vocabulary size, dimension]", name, info.Shape)
	}
	if dtypeSize(info.DType) == 0 {
		return nil, 0, 0, fmt.Errorf("tensor %q has dtype %s; want F32, F16, BF16 or F64", name, info.DType)
	}
	data := st.data[info.DataOffsets[0]:info.DataOffsets[1]]
	rows, cols = int(info.Shape[0]), int(info.Shape[1])
	values = make([]float32, rows*cols)
	le := binary.LittleEndian
	for i := range values {
		switch info.DType {
		case "F64":
			values[i] = float32(math.Float64frombits(le.Uint64(data[8*i:])))
		case "F32":
			values[i] = math.Float32frombits(le.Uint32(data[4*i:]))
		case "F16":
			values[i] = halfToFloat32(le.Uint16(data[2*i:]))
		case "BF16":
			values[i] = math.Float32frombits(uint32(le.Uint16(data[2*i:])) << 16)
		}
	}
	return values, rows, cols, nil
}

// halfToFloat32 converts an IEEE 754 half-precision value to float32.
func halfToFloat32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h) & 0x3ff
	switch {
	case exp == 0:
		// Zero or subnormal: mant · 2^-24, exact in float32.
		f := float32(mant) / (1 << 24)
		if sign != 0 {
			f = -f
		}
		return f
	case exp == 0x1f:
		return math.Float32frombits(sign | 0xff<<23 | mant<<13) // Inf or NaN
	default:
		// Rebias the exponent from 15 to 127.
		return math.Float32frombits(sign | (exp+127-15)<<23 | mant<<13)
	}
}
