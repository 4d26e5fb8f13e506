#pragma once

#include <filesystem>
#include <string>

namespace checkpoint::test {

// A file's whole text ("" when it cannot be read).
std::string read_text(const std::filesystem::path& p);
// Replaces the file's text with `text`.
void write_text(const std::filesystem::path& p, const std::string& text);
// Replaces the first `from` in the file with `to`; false (and the file untouched) when `from` is not there.
bool edit_text(const std::filesystem::path& p, const std::string& from, const std::string& to);

} // namespace checkpoint::test
