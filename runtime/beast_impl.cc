// Beast's separately compiled implementation: the only translation unit that
// compiles it (see BOOST_BEAST_SEPARATE_COMPILATION in the top CMakeLists).
#include <boost/beast/src.hpp>
