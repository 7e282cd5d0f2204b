set terminal pngcairo size 1400,900 font "DejaVu Sans,11"
set output "/work/main/bench/results/latest.png"
set multiplot layout 2,2 title "brick vs crun vs runc: median wall ms (lower is better)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set key top left
set grid ytics
set yrange [0:*]
set ylabel "ms"
set title "start-up latency (bench/run)"
plot "/work/main/bench/results/chart-latency.dat" using 2:xtic(1) title "brick", "/work/main/bench/results/chart-latency.dat" using 3:xtic(1) title "crun", "/work/main/bench/results/chart-latency.dat" using 4:xtic(1) title "runc"
unset multiplot
