#pragma once
// Encodes the emulator's generated images as real PNG files with the text chunks InvokeAI writes
// (invokeai_metadata, invokeai_graph, invokeai_workflow). Private to the emulator.
#include <string>
#include <utility>
#include <vector>

#include "ivk/error.h"

namespace ivk::emu {

// rgb: width*height*3 bytes, row-major. Each (keyword, text) becomes a tEXt chunk, or an iTXt
// chunk when the text is not ASCII (tEXt is Latin-1 only; InvokeAI's PIL does the same).
Result<std::string> encode_png(int width, int height, const std::string& rgb,
                               const std::vector<std::pair<std::string, std::string>>& texts);

}  // namespace ivk::emu
